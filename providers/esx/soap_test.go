package esx

import "github.com/vmware/govmomi/vim25/soap"

func soapUpload(n int) soap.Upload {
	p := soap.DefaultUpload
	p.ContentLength = int64(n)
	return p
}
