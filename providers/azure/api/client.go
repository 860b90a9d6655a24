// Package api is the only part of strata that imports the Azure SDK for
// Go: a small client over Azure Resource Manager (resource groups,
// networks, virtual machines, images) for the azure provider and ore,
// signed in through azidentity.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v4"
)

// Credential says how to sign in to Microsoft Entra ID: a service
// principal's client secret or certificate, or azidentity's environment
// credential (AZURE_TENANT_ID, AZURE_CLIENT_ID, and AZURE_CLIENT_SECRET
// or AZURE_CLIENT_CERTIFICATE_PATH).
type Credential struct {
	FromEnvironment  bool
	TenantID         string
	ClientID         string
	ClientSecret     string
	Certificate      []byte // PEM or PKCS#12, with its private key
	CertificatePass  string
	CertificateNamed string // where Certificate came from, for errors
}

// Options configure a Client.
type Options struct {
	Subscription string
	Location     string
	Credential   Credential
	// Endpoint is Resource Manager's URL instead of Azure's, and
	// AuthorityHost Entra ID's (a simulator, or a sovereign cloud); the
	// simulator serves both.
	Endpoint, AuthorityHost string
	// HTTPClient carries the requests (default http.DefaultClient): a
	// test's, trusting a simulator's certificate.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// MaxRetries, RetryDelay and MaxRetryDelay tune the SDK's retries of
	// throttled and failed calls (defaults: 6, 4 s, 60 s).
	MaxRetries                int32
	RetryDelay, MaxRetryDelay time.Duration
	// PollFrequency is how often a long-running operation is polled when
	// Azure does not say (default 5 s).
	PollFrequency time.Duration
	// StorageEndpoint is a storage account's Blob service URL, with
	// {account} standing for the account's name (default
	// https://{account}.blob.core.windows.net/; a simulator serves
	// https://host/{account}/).
	StorageEndpoint string
}

// Client is one subscription and location.
type Client struct {
	opts        Options
	groups      *armresources.ResourceGroupsClient
	resources   *armresources.Client
	vnets       *armnetwork.VirtualNetworksClient
	nsgs        *armnetwork.SecurityGroupsClient
	publicIPs   *armnetwork.PublicIPAddressesClient
	nics        *armnetwork.InterfacesClient
	vms         *armcompute.VirtualMachinesClient
	images      *armcompute.ImagesClient
	vmImages    *armcompute.VirtualMachineImagesClient
	galleryVer  *armcompute.GalleryImageVersionsClient
	galleries   *armcompute.GalleriesClient
	galleryImgs *armcompute.GalleryImagesClient
	http        *http.Client
	// cred and base are kept for the Blob service's clients, which are
	// made per storage account.
	cred azcore.TokenCredential
	base policy.ClientOptions
}

// New signs in lazily (the first call gets a token) and returns a client.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.Subscription == "" {
		return nil, errors.New("no subscription")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PollFrequency == 0 {
		o.PollFrequency = 5 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	cfg := cloud.AzurePublic
	if o.Endpoint != "" || o.AuthorityHost != "" {
		cfg = cloud.Configuration{
			ActiveDirectoryAuthorityHost: strings.TrimSuffix(firstOf(o.AuthorityHost, o.Endpoint), "/") + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: firstOf(o.Endpoint, cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint), Audience: firstOf(o.Endpoint, cloud.AzurePublic.Services[cloud.ResourceManager].Audience)},
			},
		}
	}
	base := policy.ClientOptions{
		Cloud:     cfg,
		Transport: o.HTTPClient,
		Retry:     policy.RetryOptions{MaxRetries: o.MaxRetries, RetryDelay: o.RetryDelay, MaxRetryDelay: o.MaxRetryDelay},
		// The SDK logs through azcore/log, which strata leaves off: what
		// it would say is in the errors it returns.
		Telemetry: policy.TelemetryOptions{ApplicationID: "strata"},
	}
	// MSAL validates an authority it does not know against Microsoft's
	// global instance discovery, which a simulator (or Azure Stack) is
	// not in.
	cred, err := newCredential(o.Credential, azcore.ClientOptions(base), o.AuthorityHost != "")
	if err != nil {
		return nil, err
	}
	armOpts := &arm.ClientOptions{ClientOptions: base}
	c := &Client{opts: o, http: o.HTTPClient, cred: cred, base: base}
	resources, err := armresources.NewClientFactory(o.Subscription, cred, armOpts)
	if err != nil {
		return nil, fmt.Errorf("resource manager client: %w", err)
	}
	network, err := armnetwork.NewClientFactory(o.Subscription, cred, armOpts)
	if err != nil {
		return nil, fmt.Errorf("network client: %w", err)
	}
	compute, err := armcompute.NewClientFactory(o.Subscription, cred, armOpts)
	if err != nil {
		return nil, fmt.Errorf("compute client: %w", err)
	}
	c.groups, c.resources = resources.NewResourceGroupsClient(), resources.NewClient()
	c.vnets, c.nsgs, c.publicIPs, c.nics = network.NewVirtualNetworksClient(), network.NewSecurityGroupsClient(), network.NewPublicIPAddressesClient(), network.NewInterfacesClient()
	c.vms, c.images, c.vmImages, c.galleryVer = compute.NewVirtualMachinesClient(), compute.NewImagesClient(), compute.NewVirtualMachineImagesClient(), compute.NewGalleryImageVersionsClient()
	c.galleries, c.galleryImgs = compute.NewGalleriesClient(), compute.NewGalleryImagesClient()
	return c, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// newCredential makes the azidentity credential for cr.
func newCredential(cr Credential, o azcore.ClientOptions, noDiscovery bool) (azcore.TokenCredential, error) {
	switch {
	case cr.FromEnvironment:
		c, err := azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, fmt.Errorf("credentials from the environment: %w", err)
		}
		return c, nil
	case cr.ClientSecret != "":
		c, err := azidentity.NewClientSecretCredential(cr.TenantID, cr.ClientID, cr.ClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, fmt.Errorf("client secret credential: %w", err)
		}
		return c, nil
	case len(cr.Certificate) > 0:
		var pass []byte
		if cr.CertificatePass != "" {
			pass = []byte(cr.CertificatePass)
		}
		certs, key, err := azidentity.ParseCertificates(cr.Certificate, pass)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", cr.CertificateNamed, err)
		}
		c, err := azidentity.NewClientCertificateCredential(cr.TenantID, cr.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: o, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, fmt.Errorf("client certificate credential: %w", err)
		}
		return c, nil
	}
	return nil, errors.New("no credential: a client secret, a certificate, or the environment's")
}

// Subscription and Location are the client's.
func (c *Client) Subscription() string { return c.opts.Subscription }
func (c *Client) Location() string     { return c.opts.Location }

// pollOptions are the options every long-running operation is waited with.
func (c *Client) pollOptions() *runtime.PollUntilDoneOptions {
	return &runtime.PollUntilDoneOptions{Frequency: c.opts.PollFrequency}
}

// deleted waits for a deletion Azure began (p, or the error of beginning
// it); what is not there is deleted already.
func deleted[T any](ctx context.Context, c *Client, op string, p *runtime.Poller[T], err error) error {
	if err == nil {
		_, err = p.PollUntilDone(ctx, c.pollOptions())
	}
	if IsNotFound(err) {
		return nil
	}
	return wrap(op, err)
}
