// Package aws is strata's Amazon EC2 provider: machines are EC2 instances
// launched from an AMI, tagged CreatedBy=strata so `ore aws gc` finds what
// a killed run left. The flight's SSH key goes in through EC2's key pairs
// (metadata) and the userdata; userdata through EC2's user data. Only the
// api package talks to the AWS SDK; sim is an in-process EC2 for tests.
package aws

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
)

// Account says which AWS account and region to use, and how to reach it:
// the flags kola and ore share.
type Account struct {
	Region          string `name:"aws-region" default:"us-east-1" help:"Region."`
	Profile         string `name:"aws-profile" placeholder:"NAME" help:"Profile of the shared AWS config and credentials files (default: environment variables, then the default profile)."`
	CredentialsFile string `name:"aws-credentials-file" type:"path" placeholder:"PATH" help:"Shared credentials file instead of ~/.aws/credentials."`
	Endpoint        string `name:"aws-endpoint" placeholder:"URL" help:"EC2 endpoint instead of AWS's (e.g. a simulator from ore aws simulate)."`
}

// Connect checks the credentials files and returns a client for the
// account. It makes no call.
func Connect(ctx context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	if err := checkCredentialFiles(a, log); err != nil {
		return nil, platform.Usage(err) // the user's file, not the cloud
	}
	o := api.Options{Region: a.Region, Profile: a.Profile, CredentialsFile: a.CredentialsFile, Endpoint: a.Endpoint, Logger: log}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("aws: %w", err)
	}
	return c, nil
}

// Flags are kola's --aws-* flags.
type Flags struct {
	Account       `embed:""`
	AMI           string        `name:"aws-ami" placeholder:"ami-…|CHANNEL" help:"AMI to boot: an AMI ID, or a channel name (stable, beta, alpha, lts) looked up in --aws-release-url."`
	ReleaseURL    string        `name:"aws-release-url" placeholder:"URL" help:"Release AMI list of a channel, {channel} and {arch} replaced (default: Flatcar's, https://{channel}.release.flatcar-linux.net/{arch}-usr/current/flatcar_production_ami_all.json)."`
	InstanceType  string        `name:"aws-type" default:"t3.small" help:"Instance type."`
	SecurityGroup string        `name:"aws-sg" default:"kola" help:"Security group of the machines (must allow SSH from here)."`
	BootTimeout   time.Duration `name:"aws-boot-timeout" default:"10m" help:"How long a machine may take to run and answer SSH."`
	IMDSv1        bool          `name:"aws-allow-imdsv1" help:"Let machines read their metadata without an IMDSv2 session token (for images whose agents predate IMDSv2); by default the token is required, as AWS recommends."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "aws",
		Description: "Amazon EC2 instances",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/aws/aws-sdk-go-v2",
	})
}

var amiID = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)

// validate checks the flags before any API call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case f.AMI == "":
		return platform.Usagef("aws: --aws-ami is required (an AMI ID like ami-0123456789abcdef0, or a channel name)")
	case !amiID.MatchString(f.AMI) && !isChannel(f.AMI):
		return platform.Usagef("aws: --aws-ami %q is neither an AMI ID (ami- and 8 or 17 hex digits) nor a channel name", f.AMI)
	case f.InstanceType == "":
		return platform.Usagef("aws: --aws-type is empty")
	case f.SecurityGroup == "":
		return platform.Usagef("aws: --aws-sg is empty")
	case f.BootTimeout <= 0:
		return platform.Usagef("aws: --aws-boot-timeout must be positive")
	}
	return nil
}
