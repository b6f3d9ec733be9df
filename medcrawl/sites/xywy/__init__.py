"""club.xywy.com (寻医问药 有问必答): GBK pages in two markup generations, listed day by day."""
