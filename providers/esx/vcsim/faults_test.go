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

func TestDropOptionalItems(t *testing.T) {
	body := []byte(`<ovfDescriptor>&lt;Item&gt;&lt;rasd:ResourceType&gt;10&lt;/rasd:ResourceType&gt;&lt;/Item&gt;` +
		`&lt;Item ovf:required=&#34;false&#34;&gt;&lt;rasd:ElementName&gt;Serial port 1&lt;/rasd:ElementName&gt;&lt;rasd:ResourceType&gt;21&lt;/rasd:ResourceType&gt;&lt;/Item&gt;` +
		`&lt;Item ovf:required=&#34;false&#34;&gt;&lt;rasd:ResourceType&gt;14&lt;/rasd:ResourceType&gt;&lt;/Item&gt;</ovfDescriptor>`)
	got := string(dropOptionalItems(body))
	want := `<ovfDescriptor>&lt;Item&gt;&lt;rasd:ResourceType&gt;10&lt;/rasd:ResourceType&gt;&lt;/Item&gt;` +
		`&lt;Item ovf:required=&#34;false&#34;&gt;&lt;rasd:ResourceType&gt;14&lt;/rasd:ResourceType&gt;&lt;/Item&gt;</ovfDescriptor>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
