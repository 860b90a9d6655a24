package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// blobClient speaks the Blob service's REST protocol by hand, as the
// Storage REST reference has it (net/http and encoding/xml, no azblob):
// the simulator's second client for Blob storage.
type blobClient struct {
	t       *testing.T
	account string // https://host/{account}
	http    *http.Client
	token   string
}

func startBlob(t *testing.T) (*Server, *blobClient, *rawClient) {
	t.Helper()
	s, arm := startRaw(t, Options{PageSize: 2})
	s.AddGroup("images", nil)
	if !s.AddStorageAccount("images", "strataimages") {
		t.Fatal("no storage account")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app-1"}, "client_secret": {"s3cret"}, "scope": {"https://storage.azure.com/.default"}}
	resp, err := arm.http.PostForm(arm.base+"/"+s.Tenant()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("storage token: %s, %v", resp.Status, err)
	}
	return s, &blobClient{t: t, account: arm.base + "/strataimages", http: arm.http, token: tok.AccessToken}, arm
}

// do sends a Blob service call; path is under the account.
func (c *blobClient) do(method, path string, header map[string]string, body []byte) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.account+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("x-ms-version", "2023-11-03")
	req.Header.Set("Authorization", "Bearer "+c.token)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// expect checks a call's status and, for an error, its code in both
// the header and the XML body.
func expect(t *testing.T, what string, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: %s %s, want %d", what, resp.Status, body, status)
		return
	}
	if code == "" {
		return
	}
	var e struct{ Code, Message string }
	if resp.Request.Method != http.MethodHead {
		if err := xml.Unmarshal(body, &e); err != nil || e.Code != code || e.Message == "" {
			t.Errorf("%s: body %s, want Storage's XML error %s", what, body, code)
		}
	}
	if h := resp.Header.Get("x-ms-error-code"); h != code {
		t.Errorf("%s: x-ms-error-code %q, want %q", what, h, code)
	}
}

func md5Header(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func TestBlobPageBlob(t *testing.T) {
	s, c, _ := startBlob(t)
	resp, body := c.do("PUT", "/vhds?restype=container", nil, nil)
	expect(t, "create container", resp, body, 201, "")
	resp, body = c.do("PUT", "/vhds?restype=container", nil, nil)
	expect(t, "create it again", resp, body, 409, "ContainerAlreadyExists")
	resp, body = c.do("PUT", "/No_Such?restype=container", nil, nil)
	expect(t, "bad container name", resp, body, 400, "InvalidResourceName")

	resp, body = c.do("PUT", "/vhds/d.vhd", map[string]string{"x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "1000"}, nil)
	expect(t, "page blob of 1000 bytes", resp, body, 400, "InvalidHeaderValue")
	resp, body = c.do("PUT", "/vhds/d.vhd", map[string]string{"x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "8192", "x-ms-meta-bad-name": "x"}, nil)
	expect(t, "metadata name with a hyphen", resp, body, 400, "InvalidMetadata")
	resp, body = c.do("PUT", "/vhds/d.vhd", map[string]string{"x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "8192", "x-ms-meta-createdby": "strata"}, nil)
	expect(t, "create page blob", resp, body, 201, "")

	page := bytes.Repeat([]byte("p"), 1024)
	put := func(rng string, body []byte, md5 string) (*http.Response, []byte) {
		return c.do("PUT", "/vhds/d.vhd?comp=page", map[string]string{"x-ms-page-write": "update", "x-ms-range": rng, "Content-MD5": md5}, body)
	}
	before := s.BlobBytesReceived()
	resp, body = put("bytes=1024-2047", page, md5Header(page))
	expect(t, "put pages", resp, body, 201, "")
	if resp.Header.Get("Content-MD5") != md5Header(page) || resp.Header.Get("ETag") == "" {
		t.Errorf("put pages answered %v", resp.Header)
	}
	if got := s.BlobBytesReceived() - before; got != 1024 {
		t.Errorf("the simulator counted %d bytes, want 1024", got)
	}
	resp, body = put("bytes=100-1123", page, "")
	expect(t, "unaligned pages", resp, body, 416, "InvalidPageRange")
	resp, body = put("bytes=7680-8703", page, "")
	expect(t, "pages past the end", resp, body, 416, "InvalidPageRange")
	resp, body = put("bytes=4096-5119", page, md5Header([]byte("other")))
	expect(t, "wrong MD5", resp, body, 400, "Md5Mismatch")
	resp, body = put("bytes=2048-3071", page, "")
	expect(t, "adjacent pages, no MD5", resp, body, 201, "")
	resp, body = put("bytes=6144-6655", page[:512], "")
	expect(t, "one more page", resp, body, 201, "")

	// Written: 1024-3071 (merged) and 6144-6655; the MD5 mismatch wrote
	// nothing.
	type pageList struct {
		Ranges []struct{ Start, End int64 } `xml:"PageRange"`
		Next   string                       `xml:"NextMarker"`
	}
	resp, body = c.do("GET", "/vhds/d.vhd?comp=pagelist", nil, nil)
	expect(t, "page ranges", resp, body, 200, "")
	var pl pageList
	if err := xml.Unmarshal(body, &pl); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pl.Ranges) != "[{1024 3071} {6144 6655}]" || resp.Header.Get("x-ms-blob-content-length") != "8192" {
		t.Errorf("page ranges %v (size %s), want [{1024 3071} {6144 6655}] of 8192", pl.Ranges, resp.Header.Get("x-ms-blob-content-length"))
	}
	resp, body = c.do("GET", "/vhds/d.vhd?comp=pagelist&maxresults=1", nil, nil)
	pl = pageList{}
	xml.Unmarshal(body, &pl)
	if len(pl.Ranges) != 1 || pl.Next == "" {
		t.Fatalf("first page of ranges: %s", body)
	}
	resp, body = c.do("GET", "/vhds/d.vhd?comp=pagelist&maxresults=1&marker="+pl.Next, nil, nil)
	pl = pageList{}
	xml.Unmarshal(body, &pl)
	if fmt.Sprint(pl.Ranges) != "[{6144 6655}]" || pl.Next != "" {
		t.Errorf("second page of ranges: %s", body)
	}

	// Clearing pages splits a range.
	resp, body = c.do("PUT", "/vhds/d.vhd?comp=page", map[string]string{"x-ms-page-write": "clear", "x-ms-range": "bytes=1536-2047"}, nil)
	expect(t, "clear pages", resp, body, 201, "")
	_, body = c.do("GET", "/vhds/d.vhd?comp=pagelist", nil, nil)
	pl = pageList{}
	xml.Unmarshal(body, &pl)
	if fmt.Sprint(pl.Ranges) != "[{1024 1535} {2048 3071} {6144 6655}]" {
		t.Errorf("after a clear: %v", pl.Ranges)
	}

	// Reads: a range, and the properties.
	resp, body = c.do("GET", "/vhds/d.vhd", map[string]string{"x-ms-range": "bytes=1020-1027"}, nil)
	if resp.StatusCode != 206 || string(body) != "\x00\x00\x00\x00pppp" || resp.Header.Get("Content-Range") != "bytes 1020-1027/8192" {
		t.Errorf("ranged read: %s %q %q", resp.Status, body, resp.Header.Get("Content-Range"))
	}
	sum := md5Header([]byte("whole"))
	resp, body = c.do("PUT", "/vhds/d.vhd?comp=properties", map[string]string{"x-ms-blob-content-md5": sum}, nil)
	expect(t, "set properties", resp, body, 200, "")
	resp, _ = c.do("HEAD", "/vhds/d.vhd", nil, nil)
	if resp.Header.Get("Content-MD5") != sum || resp.Header.Get("x-ms-blob-type") != "PageBlob" || resp.Header.Get("Content-Length") != "8192" || resp.Header.Get("x-ms-meta-createdby") != "strata" {
		t.Errorf("properties: %v", resp.Header)
	}
	resp, body = c.do("HEAD", "/vhds/nothing.vhd", nil, nil)
	expect(t, "properties of no blob", resp, body, 404, "BlobNotFound")

	resp, body = c.do("DELETE", "/vhds/d.vhd", nil, nil)
	expect(t, "delete", resp, body, 202, "")
	resp, body = c.do("DELETE", "/vhds/d.vhd", nil, nil)
	expect(t, "delete again", resp, body, 404, "BlobNotFound")
}

func TestBlobBlockBlobAndLists(t *testing.T) {
	_, c, _ := startBlob(t)
	c.do("PUT", "/vhds?restype=container", nil, nil)
	for i, name := range []string{"a.vhd", "b/c.vhd", "d.vhd"} {
		data := []byte(strings.Repeat(name, 10))
		resp, body := c.do("PUT", "/vhds/"+name, map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": md5Header(data), "x-ms-meta-n": strconv.Itoa(i)}, data)
		expect(t, "put block blob "+name, resp, body, 201, "")
		if resp.Header.Get("Content-MD5") != md5Header(data) {
			t.Errorf("%s: Content-MD5 %q", name, resp.Header.Get("Content-MD5"))
		}
	}
	resp, body := c.do("PUT", "/vhds/e.vhd", map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": md5Header([]byte("x"))}, []byte("y"))
	expect(t, "block blob with a wrong MD5", resp, body, 400, "Md5Mismatch")
	resp, body = c.do("PUT", "/vhds/a.vhd?comp=page", map[string]string{"x-ms-page-write": "update", "x-ms-range": "bytes=0-511"}, make([]byte, 512))
	expect(t, "pages into a block blob", resp, body, 409, "InvalidBlobType")
	resp, body = c.do("PUT", "/vhds/a.vhd", map[string]string{"x-ms-blob-type": "BlockBlob", "If-None-Match": "*"}, []byte("z"))
	expect(t, "put over a blob with If-None-Match: *", resp, body, 409, "BlobAlreadyExists")

	// The list pages by marker (the simulator's page size is 2), with
	// metadata when asked.
	type list struct {
		Blobs []struct {
			Name     string `xml:"Name"`
			Type     string `xml:"Properties>BlobType"`
			Size     int64  `xml:"Properties>Content-Length"`
			Metadata struct {
				N string `xml:"n"`
			} `xml:"Metadata"`
		} `xml:"Blobs>Blob"`
		Next string `xml:"NextMarker"`
	}
	var names []string
	marker := ""
	for range 5 {
		resp, body := c.do("GET", "/vhds?restype=container&comp=list&include=metadata&marker="+url.QueryEscape(marker), nil, nil)
		expect(t, "list blobs", resp, body, 200, "")
		var l list
		if err := xml.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		for _, b := range l.Blobs {
			names = append(names, fmt.Sprintf("%s:%s:%d:%s", b.Name, b.Type, b.Size, b.Metadata.N))
		}
		if marker = l.Next; marker == "" {
			break
		}
	}
	if got := strings.Join(names, " "); got != "a.vhd:BlockBlob:50:0 b/c.vhd:BlockBlob:70:1 d.vhd:BlockBlob:50:2" {
		t.Errorf("listed %s", got)
	}
	_, body = c.do("GET", "/vhds?restype=container&comp=list&prefix=b/", nil, nil)
	if !strings.Contains(string(body), "<Name>b/c.vhd</Name>") || strings.Contains(string(body), "a.vhd") {
		t.Errorf("list with a prefix: %s", body)
	}
	resp, body = c.do("GET", "/?comp=list", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Name>vhds</Name>") {
		t.Errorf("list containers: %s %s", resp.Status, body)
	}
	resp, body = c.do("GET", "/vhds/b/c.vhd", nil, nil)
	if resp.StatusCode != 200 || string(body) != strings.Repeat("b/c.vhd", 10) {
		t.Errorf("read a block blob: %s %q", resp.Status, body)
	}
	resp, body = c.do("DELETE", "/vhds?restype=container", nil, nil)
	expect(t, "delete container", resp, body, 202, "")
	resp, body = c.do("GET", "/vhds/a.vhd", nil, nil)
	expect(t, "a blob of a deleted container", resp, body, 404, "ContainerNotFound")
}

// Storage's calls want x-ms-version and a token for Storage; ARM refuses
// Storage's tokens. A storage account made through ARM serves blobs at
// the endpoint it reports, and goes with its group.
func TestBlobAuthAndAccounts(t *testing.T) {
	s, c, arm := startBlob(t)
	resp, body := c.do("PUT", "/vhds?restype=container", map[string]string{"x-ms-version": ""}, nil)
	expect(t, "no x-ms-version", resp, body, 400, "MissingRequiredHeader")
	resp, body = c.do("PUT", "/vhds?restype=container", map[string]string{"Authorization": ""}, nil)
	expect(t, "no token", resp, body, 401, "NoAuthenticationInformation")
	resp, body = c.do("PUT", "/vhds?restype=container", map[string]string{"Authorization": "Bearer " + arm.token}, nil)
	expect(t, "a Resource Manager token", resp, body, 403, "AuthenticationFailed")
	storageToken, armToken := c.token, arm.token
	arm.token = storageToken
	r, out := arm.do("GET", "/resourcegroups", nil)
	if r.StatusCode != 401 || errorCode(out) != "InvalidAuthenticationTokenAudience" {
		t.Errorf("a Storage token at Resource Manager: %s %v", r.Status, out)
	}
	arm.token = armToken

	r, out = arm.do("PUT", "/resourceGroups/images/providers/Microsoft.Storage/storageAccounts/Bad-Name", map[string]any{"location": s.Location(), "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}})
	if r.StatusCode != 400 || errorCode(out) != "AccountNameInvalid" {
		t.Errorf("bad account name: %s %v", r.Status, out)
	}
	r, out = arm.do("PUT", "/resourceGroups/images/providers/Microsoft.Storage/storageAccounts/second", map[string]any{"location": s.Location(), "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}})
	if r.StatusCode != 201 {
		t.Fatalf("create storage account: %s %v", r.Status, out)
	}
	arm.wait(r)
	_, out = arm.do("GET", "/resourceGroups/images/providers/Microsoft.Storage/storageAccounts/second", nil)
	endpoint, _ := get(out, "properties", "primaryEndpoints", "blob").(string)
	if endpoint != arm.base+"/second/" {
		t.Fatalf("blob endpoint %q, want %q", endpoint, arm.base+"/second/")
	}
	second := &blobClient{t: t, account: strings.TrimSuffix(endpoint, "/"), http: c.http, token: storageToken}
	resp, body = second.do("PUT", "/vhds?restype=container", nil, nil)
	expect(t, "a container in the new account", resp, body, 201, "")
	r, _ = arm.do("DELETE", "/resourceGroups/images?api-version=2022-09-01", nil)
	arm.wait(r)
	resp, _ = second.do("GET", "/vhds?restype=container", nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("the account's container after its group was deleted: %s", resp.Status)
	}
}
