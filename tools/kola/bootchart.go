package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

type bootchartCmd struct {
	OutputDir string `name:"output-dir" default:"_kola_temp" type:"path" help:"Where <platform>-bootchart-<time>/ keeps bootchart.svg and the console."`
	Arch      string `default:"${arch}" help:"Architecture of the machine."`
	SSHProxy  string `name:"ssh-proxy" placeholder:"socks5://HOST:PORT" help:"Reach cloud machines over SSH through this SOCKS5 proxy (a bastion's ssh -D, a CI network's egress proxy, or a simulator's: ore CLOUD simulate --boot prints it)."`
}

// Run boots one machine, waits for systemd to finish booting and saves
// systemd-analyze's plot of the boot as bootchart.svg. The image must run
// systemd (on qemu: --qemu-image debian).
func (b *bootchartCmd) Run(a *app, c *cli) error {
	provider, err := a.providers.Lookup(c.platform())
	if err != nil {
		return err
	}
	ctx, stop := a.interruptible()
	defer stop()
	bt, err := a.boot(ctx, provider, "bootchart", b.OutputDir, b.Arch, b.SSHProxy, 1, conf.Empty())
	if bt != nil {
		defer bt.destroy(ctx)
	}
	if err != nil {
		return err
	}
	m := bt.cluster.Machines()[0]
	if _, _, err := m.SSH(ctx, "command -v systemd-analyze"); err != nil {
		return platform.Usage(fmt.Errorf("bootchart needs an image with systemd (on qemu: --qemu-image debian); %s has no systemd-analyze", m.ID()))
	}
	state, _, _ := m.SSH(ctx, "systemctl is-system-running --wait")
	svg, stderr, err := m.SSH(ctx, "systemd-analyze plot")
	if err != nil {
		return fmt.Errorf("systemd-analyze plot on %s: %v: %s", m.ID(), err, stderr)
	}
	if !strings.Contains(string(svg), "<svg") {
		return fmt.Errorf("systemd-analyze plot on %s printed no SVG", m.ID())
	}
	out := filepath.Join(bt.dir, "bootchart.svg")
	if err := os.WriteFile(out, svg, 0o644); err != nil {
		return err
	}
	summary, _, _ := m.SSH(ctx, "systemd-analyze")
	fmt.Fprintf(a.stdout, "kola: system %s; %s", strings.TrimSpace(string(state)), summary)
	fmt.Fprintf(a.stdout, "kola: bootchart: %s\n", out)
	return nil
}
