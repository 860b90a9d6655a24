package vcsim

import (
	"context"
	"net/url"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
)

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

// The proxy waits for every task a call starts before the next may run
// (vcsim's tasks race on its datastores' state when run side by side).
func TestTasksAreWaitedFor(t *testing.T) {
	s, err := Start(Options{User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("u", "p")
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := find.NewFinder(c.Client, true).VirtualMachine(ctx, "/DC0/vm/"+TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	task, err := vm.PowerOff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.fp.waited.Load(); n != 1 {
		t.Errorf("the proxy waited for %d tasks, want 1 (PowerOffVM_Task)", n)
	}
}
