package vcsim

import "testing"

func TestSOAPMethod(t *testing.T) {
	for body, want := range map[string]string{
		`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CloneVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this></CloneVM_Task></soapenv:Body></soapenv:Envelope>`: "CloneVM_Task",
		`<Envelope><Header><Cookie>x</Cookie></Header><Body><RetrievePropertiesEx/></Body></Envelope>`: "RetrievePropertiesEx",
		`<Envelope><Body></Body></Envelope>`: "",
		`not xml`:                            "",
	} {
		if got := soapMethod([]byte(body)); got != want {
			t.Errorf("soapMethod(%.40q) = %q, want %q", body, got, want)
		}
	}
}
