package main

import (
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/tools/internal/download"
)

// verifyFlags say how a download is checked.
type verifyFlags struct {
	VerifyKey  string `name:"verify-key" type:"existingfile" placeholder:"KEY.asc" help:"OpenPGP public key(s) the file's detached signature must be made with (armored or binary)."`
	Signature  string `placeholder:"URL" help:"The signature's URL (default the file's with .sig)."`
	SHA256     string `name:"sha256" placeholder:"HEX" help:"The file's SHA-256."`
	NoProgress bool   `name:"no-progress" help:"No progress bar on stderr."`
}

func (v verifyFlags) options(a *app, name string) (download.Options, error) {
	var o download.Options
	o.SHA256, o.Signature = v.SHA256, v.Signature
	if v.VerifyKey != "" {
		key, err := os.ReadFile(v.VerifyKey)
		if err != nil {
			return o, platform.Usagef("--verify-key: %v", err)
		}
		if _, err := download.ReadKeyring(key); err != nil {
			return o, platform.Usagef("--verify-key %s: %v", v.VerifyKey, err)
		}
		o.Keyring = key
	}
	if o.Keyring == nil && o.SHA256 == "" {
		return o, platform.Usagef("give --verify-key or --sha256: ore downloads nothing it cannot verify")
	}
	if !v.NoProgress {
		var bar *progressbar.ProgressBar
		o.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription("download "+name), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowCount())
			}
			_ = bar.Set64(done)
		}
	}
	return o, nil
}

type downloadCmd struct {
	Source      string `arg:"" placeholder:"URL|gs://BUCKET/OBJECT|s3://BUCKET/KEY" help:"What to download: an http(s) URL, or a public object in Cloud Storage or S3."`
	Output      string `short:"o" type:"path" placeholder:"FILE" help:"Where to put it (default: its name, here)."`
	S3Endpoint  string `name:"s3-endpoint" placeholder:"URL" help:"Endpoint s3:// objects are read from, path-style (default https://BUCKET.s3.amazonaws.com/KEY)."`
	GCSEndpoint string `name:"gcs-endpoint" placeholder:"URL" help:"Endpoint gs:// objects are read from (default https://storage.googleapis.com)."`
	verifyFlags `embed:""`
}

// Run downloads, resuming a download cut short, and keeps the file only
// if it verified.
func (d *downloadCmd) Run(a *app) error {
	u, err := d.httpURL()
	if err != nil {
		return err
	}
	out := d.Output
	if out == "" {
		out = path.Base(u.Path)
		if out == "/" || out == "." {
			return platform.Usagef("%s names no file: give --output", d.Source)
		}
	}
	o, err := d.options(a, filepath.Base(out))
	if err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	res, err := download.File(ctx, u.String(), out, o)
	if err != nil {
		return err
	}
	say(a, res)
	return nil
}

func say(a *app, res *download.Result) {
	how := "SHA-256 " + res.SHA256
	if res.Signer != "" {
		how = "signed by " + res.Signer + ", " + how
	}
	resumed := ""
	if res.Resumed > 0 {
		resumed = fmt.Sprintf(", %d bytes of it from an earlier attempt", res.Resumed)
	}
	fmt.Fprintf(a.stdout, "%s: %d bytes, %s%s\n", res.Path, res.Size, how, resumed)
}

// httpURL is where the source is read over HTTP: gs:// and s3:// objects
// through their services' public endpoints (release files are public).
func (d *downloadCmd) httpURL() (*url.URL, error) {
	u, err := url.Parse(d.Source)
	if err != nil {
		return nil, platform.Usagef("%q: %v", d.Source, err)
	}
	key := strings.TrimPrefix(u.Path, "/")
	switch u.Scheme {
	case "http", "https":
		return u, nil
	case "gs":
		base := d.GCSEndpoint
		if base == "" {
			base = "https://storage.googleapis.com"
		}
		return url.Parse(strings.TrimSuffix(base, "/") + "/" + u.Host + "/" + key)
	case "s3":
		if d.S3Endpoint != "" {
			return url.Parse(strings.TrimSuffix(d.S3Endpoint, "/") + "/" + u.Host + "/" + key)
		}
		return url.Parse("https://" + u.Host + ".s3.amazonaws.com/" + key)
	}
	return nil, platform.Usagef("%q: want an http(s) URL, gs://BUCKET/OBJECT or s3://BUCKET/KEY", d.Source)
}

// FlatcarImageURL is where Flatcar publishes an image of a release:
// {channel}, {arch}, {version} and {platform} are replaced.
const FlatcarImageURL = "https://{channel}.release.flatcar-linux.net/{arch}-usr/{version}/flatcar_production_{platform}_image.img.bz2"

type downloadImageCmd struct {
	Channel     string `required:"" placeholder:"NAME" help:"Channel (stable, beta, alpha, lts)."`
	Version     string `required:"" placeholder:"X.Y.Z|current" help:"Release version, or current."`
	Platform    string `default:"qemu" placeholder:"NAME" help:"Which image of the release (qemu, openstack, ami_vmdk, gce, ...: the {platform} in the URL)."`
	Arch        string `default:"amd64" enum:"amd64,arm64" help:"Architecture (${enum})."`
	URLTemplate string `name:"url-template" default:"${flatcar_image_url}" help:"Where the release's images are."`
	OutputDir   string `name:"output-dir" type:"path" default:"." help:"Directory for the image."`
	verifyFlags `embed:""`
}

// Run downloads a distribution's published image and its signature,
// verifies it, and decompresses it (.bz2, .gz) beside it.
func (d *downloadImageCmd) Run(a *app) error {
	src := strings.NewReplacer("{channel}", d.Channel, "{arch}", d.Arch, "{version}", d.Version, "{platform}", d.Platform).Replace(d.URLTemplate)
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return platform.Usagef("--url-template %q: want an http(s) URL", d.URLTemplate)
	}
	name := path.Base(u.Path)
	o, err := d.options(a, name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.OutputDir, 0o755); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	res, err := download.File(ctx, src, filepath.Join(d.OutputDir, name), o)
	if err != nil {
		return err
	}
	say(a, res)
	out, err := decompress(res.Path)
	if err != nil {
		return err
	}
	if out != res.Path {
		fmt.Fprintf(a.stdout, "%s: decompressed\n", out)
	}
	return nil
}

// decompress writes path without its .bz2 or .gz beside it (through a
// temporary name: a half-written image is never under the final one) and
// returns that; other files are returned as they are.
func decompress(p string) (string, error) {
	var open func(io.Reader) (io.Reader, error)
	switch {
	case strings.HasSuffix(p, ".bz2"):
		open = func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }
	case strings.HasSuffix(p, ".gz"):
		open = func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
	default:
		return p, nil
	}
	out := strings.TrimSuffix(strings.TrimSuffix(p, ".bz2"), ".gz")
	in, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer in.Close()
	r, err := open(in)
	if err != nil {
		return "", fmt.Errorf("decompress %s: %w", p, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return "", fmt.Errorf("decompress %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return out, os.Rename(tmp.Name(), out)
}
