// Package azure is strata's Microsoft Azure provider: each flight gets a
// resource group (tagged created-by=strata and its creation time, so
// `ore azure gc` finds what a killed run left) holding a virtual network
// and a network security group that lets SSH in; each machine is a
// virtual machine with its own public IP address and network interface.
// The flight's SSH key goes in through the VM's SSH configuration and
// the userdata; userdata through custom data; the console is the boot
// diagnostics' serial log. Only the api package talks to the Azure SDK;
// sim is an in-process Azure Resource Manager and Entra ID for tests.
package azure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
)

// Account says which subscription and location to use, and how to sign
// in: the flags kola and ore share.
type Account struct {
	Subscription string `name:"azure-subscription" placeholder:"ID" help:"Subscription (default: the --azure-auth file's subscriptionId, then AZURE_SUBSCRIPTION_ID)."`
	Location     string `name:"azure-location" default:"westus2" help:"Location (region)."`
	AuthFile     string `name:"azure-auth" type:"path" placeholder:"PATH" help:"A service principal's credentials: the SDK auth file of az ad sp create-for-rbac --sdk-auth (clientId, clientSecret or clientCertificate, tenantId, subscriptionId), or the JSON az ad sp create-for-rbac prints (appId, password, tenant). Default: azidentity's environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)."`
	Endpoint     string `name:"azure-endpoint" placeholder:"URL" help:"Resource Manager and Entra ID at this https URL instead of Azure's (e.g. a simulator from ore azure simulate)."`
	CAFile       string `name:"azure-ca-file" type:"path" placeholder:"PATH" help:"PEM certificates to trust for --azure-endpoint besides the system's (a simulator's)."`
}

// Connect checks the account's flags and credentials and returns a
// client. It makes no call.
func Connect(ctx context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	if a.Location == "" {
		return nil, platform.Usagef("azure: --azure-location is empty")
	}
	o := api.Options{Location: a.Location, Logger: log}
	if a.Endpoint != "" {
		u, err := url.Parse(a.Endpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, platform.Usagef("azure: --azure-endpoint %q is not an https URL (Entra ID takes no other)", a.Endpoint)
		}
		o.Endpoint, o.AuthorityHost = a.Endpoint, a.Endpoint
		// A simulator (as Azurite and Azure Stack do) serves storage
		// accounts' Blob services path-style, beside Resource Manager.
		o.StorageEndpoint = strings.TrimSuffix(a.Endpoint, "/") + "/{account}/"
	}
	if a.CAFile != "" {
		client, err := trusting(a.CAFile)
		if err != nil {
			return nil, platform.Usage(fmt.Errorf("azure: --azure-ca-file: %w", err))
		}
		o.HTTPClient = client
	}
	creds, err := loadCredentials(a.AuthFile, log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("azure: %w", err)) // the user's file, not the cloud
	}
	o.Credential = creds.cred
	o.Subscription = a.Subscription
	if o.Subscription == "" {
		o.Subscription = creds.subscription
	}
	if o.Subscription == "" {
		return nil, platform.Usagef("azure: no subscription: pass --azure-subscription (the credentials name none, and AZURE_SUBSCRIPTION_ID is unset)")
	}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	return c, nil
}

// trusting is an HTTP client that trusts the system's certificates and
// those in a PEM file.
func trusting(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// Flags are kola's --azure-* flags.
type Flags struct {
	Account     `embed:""`
	Image       string        `name:"azure-image" placeholder:"ID|URN" help:"Image to boot: a managed image or gallery image version by resource ID (/subscriptions/…), or a marketplace URN PUBLISHER:OFFER:SKU:VERSION (e.g. kinvolk:flatcar-container-linux-free:stable:latest)."`
	Size        string        `name:"azure-size" default:"Standard_D2s_v3" help:"Virtual machine size."`
	BootTimeout time.Duration `name:"azure-boot-timeout" default:"10m" help:"How long a machine may take to be provisioned and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "azure",
		Description: "Microsoft Azure virtual machines",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/Azure/azure-sdk-for-go/sdk/azcore",
	})
}

var sizeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// validate checks the flags before any call, naming the flag at fault.
func (f *Flags) validate() (api.ImageRef, error) {
	switch {
	case f.Image == "":
		return api.ImageRef{}, platform.Usagef("azure: --azure-image is required (an image resource ID, or a marketplace URN PUBLISHER:OFFER:SKU:VERSION)")
	case !sizeName.MatchString(f.Size):
		return api.ImageRef{}, platform.Usagef("azure: --azure-size %q is not a VM size (like Standard_D2s_v3)", f.Size)
	case f.BootTimeout <= 0:
		return api.ImageRef{}, platform.Usagef("azure: --azure-boot-timeout must be positive")
	}
	img, err := api.ParseImage(f.Image)
	if err != nil {
		return api.ImageRef{}, platform.Usagef("azure: --azure-image %q: %v", f.Image, err)
	}
	return img, nil
}
