// Package api is the only package of the aws provider that imports the AWS
// SDK: the EC2 calls kola and ore make, each under a deadline, retried
// with backoff on throttling and server errors, and with errors sorted
// into not-found, terminal and retryable ones.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options say which account and region to talk to, and how.
type Options struct {
	Region string
	// Profile selects a profile of the shared config and credentials files
	// (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and
	// AWS_SHARED_CREDENTIALS_FILE); empty means the SDK's default chain
	// (environment variables first).
	Profile string
	// CredentialsFile replaces the shared credentials file.
	CredentialsFile string
	// Endpoint replaces EC2's endpoint (the simulator, a VPC endpoint).
	Endpoint string
	// CallTimeout bounds each call, retries included (default 2 minutes).
	CallTimeout time.Duration
	// MaxAttempts per call (default 10) and MaxBackoff between them
	// (default 5s): kola's runs are many small calls, and a throttled
	// account must slow them down, not fail them.
	MaxAttempts int
	MaxBackoff  time.Duration
	Logger      *slog.Logger
}

// Client is EC2 in one region.
type Client struct {
	ec2     *ec2.Client
	iam     *iam.Client
	s3      *s3.Client
	timeout time.Duration
	log     *slog.Logger
	region  string
}

// New loads credentials and configuration the SDK's way and returns a
// client. It makes no call.
func New(ctx context.Context, opts Options) (*Client, error) {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 2 * time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	loaders := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.MaxAttempts
				o.MaxBackoff = opts.MaxBackoff
				// The token bucket would fail calls after a burst of
				// throttling; backoff alone paces them.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.CredentialsFile != "" {
		loaders = append(loaders, config.WithSharedCredentialsFiles([]string{opts.CredentialsFile}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("aws configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("aws configuration: no region (pass --aws-region or set AWS_REGION)")
	}
	c := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	s := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			// A simulator (or any endpoint but AWS's) gets buckets in the
			// path, not in the host name.
			o.BaseEndpoint = aws.String(opts.Endpoint)
			o.UsePathStyle = true
		}
	})
	i := iam.NewFromConfig(cfg, func(o *iam.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return &Client{ec2: c, iam: i, s3: s, timeout: opts.CallTimeout, log: opts.Logger, region: cfg.Region}, nil
}

// InRegion is the same account in another region (for EC2; S3 and IAM
// stay as they are).
func (c *Client) InRegion(region string) *Client {
	o := *c
	o.ec2 = ec2.New(c.ec2.Options(), func(opts *ec2.Options) { opts.Region = region })
	o.region = region
	return &o
}

// Region is the client's region.
func (c *Client) Region() string { return c.region }

// call bounds one API call, retries included.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}
