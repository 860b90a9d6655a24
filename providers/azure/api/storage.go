package api

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
)

// Storage is one storage account's Blob service. Blobs go through
// azblob's pageblob and blob clients. Containers (create, list) are two
// REST calls made here through azcore's pipeline instead of azblob's
// container package, which links Apache Arrow (for a listing format
// strata never asks for) and would add its compile to every build of
// kola and ore.
type Storage struct {
	account string
	url     string // the service's URL, ending in "/"
	c       *Client
	pl      runtime.Pipeline
}

var storageAccountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

// storageScope is the audience of Storage's tokens, in every cloud.
const storageScope = "https://storage.azure.com/.default"

// containerAPIVersion is the Blob service version of the calls made here.
const containerAPIVersion = "2023-11-03"

// Storage returns the Blob service of a storage account. It makes no call.
func (c *Client) Storage(account string) (*Storage, error) {
	if !storageAccountName.MatchString(account) {
		return nil, fmt.Errorf("storage account %q: 3 to 24 lower-case letters and digits", account)
	}
	tmpl := c.opts.StorageEndpoint
	if tmpl == "" {
		tmpl = "https://{account}.blob.core.windows.net/"
	}
	u := strings.ReplaceAll(tmpl, "{account}", account)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
		return nil, fmt.Errorf("storage account %s: endpoint %q is not an https URL", account, u)
	}
	pl := runtime.NewPipeline("strata", "v1", runtime.PipelineOptions{
		PerCall:  []policy.Policy{versionPolicy{}},
		PerRetry: []policy.Policy{runtime.NewBearerTokenPolicy(c.cred, []string{storageScope}, nil)},
	}, &c.base)
	return &Storage{account: account, url: u, c: c, pl: pl}, nil
}

// versionPolicy sets the x-ms-version every Blob service call carries.
type versionPolicy struct{}

func (versionPolicy) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().Header.Set("x-ms-version", containerAPIVersion)
	return req.Next()
}

// Account is the storage account's name.
func (s *Storage) Account() string { return s.account }

// BlobURL is a blob's URL, as an image's source names it.
func (s *Storage) BlobURL(container, name string) string {
	return s.url + container + "/" + (&url.URL{Path: name}).EscapedPath()
}

func (s *Storage) pageBlob(container, name string) (*pageblob.Client, error) {
	pb, err := pageblob.NewClient(s.BlobURL(container, name), s.c.cred, &pageblob.ClientOptions{ClientOptions: s.c.base})
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", s.BlobURL(container, name), err)
	}
	return pb, nil
}

// EnsureContainer makes a private container if it is not there.
func (s *Storage) EnsureContainer(ctx context.Context, name string) (created bool, err error) {
	op := fmt.Sprintf("create container %s in storage account %s", name, s.account)
	req, err := runtime.NewRequest(ctx, http.MethodPut, s.url+name+"?restype=container")
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	resp, err := s.pl.Do(req)
	if err != nil {
		return false, wrap(op, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusCreated:
		return true, nil
	case resp.StatusCode == http.StatusConflict && resp.Header.Get("x-ms-error-code") == string(bloberror.ContainerAlreadyExists):
		return false, nil
	}
	return false, wrap(op, runtime.NewResponseError(resp))
}

// BlobInfo is what strata needs to know of a blob.
type BlobInfo struct {
	Container, Name string
	URL             string
	Type            string // PageBlob, BlockBlob
	Size            int64
	ContentMD5      []byte
	Created         time.Time
	Metadata        map[string]string
}

// Containers lists the account's containers.
func (s *Storage) Containers(ctx context.Context) ([]string, error) {
	var out []string
	err := s.list(ctx, "list containers of storage account "+s.account, s.url+"?comp=list", func(page []byte) error {
		var r struct {
			Containers []struct {
				Name string `xml:"Name"`
			} `xml:"Containers>Container"`
		}
		if err := xml.Unmarshal(page, &r); err != nil {
			return err
		}
		for _, c := range r.Containers {
			out = append(out, c.Name)
		}
		return nil
	})
	return out, err
}

// Blobs lists a container's blobs whose names start with prefix, with
// their metadata.
func (s *Storage) Blobs(ctx context.Context, container, prefix string) ([]BlobInfo, error) {
	var out []BlobInfo
	q := url.Values{"restype": {"container"}, "comp": {"list"}, "include": {"metadata"}}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	op := fmt.Sprintf("list blobs of container %s in storage account %s", container, s.account)
	err := s.list(ctx, op, s.url+container+"?"+q.Encode(), func(page []byte) error {
		var r struct {
			Blobs []struct {
				Name       string `xml:"Name"`
				Properties struct {
					Created       string `xml:"Creation-Time"`
					ContentLength int64  `xml:"Content-Length"`
					ContentMD5    []byte `xml:"Content-MD5"`
					BlobType      string `xml:"BlobType"`
				} `xml:"Properties"`
				Metadata struct {
					Items []struct {
						XMLName xml.Name
						Value   string `xml:",chardata"`
					} `xml:",any"`
				} `xml:"Metadata"`
			} `xml:"Blobs>Blob"`
		}
		if err := xml.Unmarshal(page, &r); err != nil {
			return err
		}
		for _, b := range r.Blobs {
			info := BlobInfo{Container: container, Name: b.Name, URL: s.BlobURL(container, b.Name), Type: b.Properties.BlobType,
				Size: b.Properties.ContentLength, Metadata: map[string]string{}}
			info.Created, _ = time.Parse(http.TimeFormat, b.Properties.Created)
			for _, m := range b.Metadata.Items {
				info.Metadata[strings.ToLower(m.XMLName.Local)] = m.Value
			}
			out = append(out, info)
		}
		return nil
	})
	return out, err
}

// list pages through a Blob service list, handing each page's XML on.
func (s *Storage) list(ctx context.Context, op, u string, each func([]byte) error) error {
	marker := ""
	for {
		pageURL := u
		if marker != "" {
			pageURL += "&marker=" + url.QueryEscape(marker)
		}
		req, err := runtime.NewRequest(ctx, http.MethodGet, pageURL)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		resp, err := s.pl.Do(req)
		if err != nil {
			return wrap(op, err)
		}
		if resp.StatusCode != http.StatusOK {
			return wrap(op, runtime.NewResponseError(resp))
		}
		body, err := runtime.Payload(resp)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if err := each(body); err != nil {
			return fmt.Errorf("%s: the answer is not the list it should be: %w", op, err)
		}
		var next struct {
			NextMarker string `xml:"NextMarker"`
		}
		if err := xml.Unmarshal(body, &next); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if next.NextMarker == "" {
			return nil
		}
		marker = next.NextMarker
	}
}

// Blob reads a blob's properties and metadata.
func (s *Storage) Blob(ctx context.Context, container, name string) (BlobInfo, error) {
	pb, err := s.pageBlob(container, name)
	if err != nil {
		return BlobInfo{}, err
	}
	p, err := pb.GetProperties(ctx, nil)
	if err != nil {
		return BlobInfo{}, wrap("read blob "+s.BlobURL(container, name), err)
	}
	info := BlobInfo{Container: container, Name: name, URL: s.BlobURL(container, name), Size: deref(p.ContentLength),
		ContentMD5: p.ContentMD5, Created: deref(p.CreationTime), Metadata: map[string]string{}}
	if p.BlobType != nil {
		info.Type = string(*p.BlobType)
	}
	for k, v := range p.Metadata {
		info.Metadata[strings.ToLower(k)] = deref(v)
	}
	return info, nil
}

// DeleteBlob deletes a blob (and its snapshots); one that is not there
// is no error.
func (s *Storage) DeleteBlob(ctx context.Context, container, name string) error {
	pb, err := s.pageBlob(container, name)
	if err != nil {
		return err
	}
	_, err = pb.Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)})
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil
	}
	return wrap("delete blob "+s.BlobURL(container, name), err)
}
