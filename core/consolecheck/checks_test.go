package consolecheck

import (
	"strings"
	"testing"
)

func TestEachCheck(t *testing.T) {
	for _, tc := range []struct {
		line, check string
	}{
		{`BdsDxe: failed to load Boot0001 "UEFI QEMU QEMU HARDDISK " from PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0): Access Denied`, FirmwareRefused},
		{`BdsDxe: failed to load Boot0003 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x4,0x0): Security Violation`, FirmwareRefused},
		{`BdsDxe: failed to load Boot0002 "UEFI PXEv4 (MAC:525400123456)" from PciRoot(0x0)/Pci(0x3,0x0)/MAC(525400123456,0x1)/IPv4(0.0.0.0): Not Found`, ""},
		{"No bootable device.  Retrying in 60 seconds.", NoBootDevice},
		{"BdsDxe: No bootable option or device was found.", NoBootDevice},
		{"[    2.345678] Kernel panic - not syncing: VFS: Unable to mount root fs", KernelPanic},
		{"[   10.1] Oops: 0002 [#1] PREEMPT SMP NOPTI", KernelOops},
		{"[   10.1] BUG: kernel NULL pointer dereference, address: 0000000000000000", KernelBUG},
		{"[   3.2] BUG: soft lockup - CPU#0 stuck for 22s!", KernelBUG},
		{"[    3.006855] WARNING: CPU: 0 PID: 110 at drivers/pci/msi/msi.h:17 pci_msi_setup_msi_irqs+0x28/0x40", KernelWarning},
		{"[    1.2] vm kernel: WARNING: at kernel/sched/core.c:1234 foo+0x1/0x2", KernelWarning},
		{"WARNING: at least one unit failed to load", ""},
		{"sshd[12]: WARNING: CPU load is high", ""},
		{"You are in emergency mode. After logging in, type \"journalctl -xb\"", EmergencyShell},
		{"[  OK  ] Started Emergency Shell.", ""},
		{"Starting Emergency Shell...", EmergencyShell},
		{"[ 5.1] myprog[123]: segfault at 0 ip 00007f sp 00007ffc error 4 in libc.so", Segfault},
		{"Segmentation fault (core dumped)", CoreDump},
		{"systemd-coredump[400]: Process 399 (bash) of user 0 dumped core.", CoreDump},
		{"[FAILED] Failed to start Network Manager.", FailedUnit},
		{"systemd[1]: Failed to start Update UTMP about System Runlevel Changes.", FailedUnit},
		{"systemd[1]: foo.service: Failed with result 'exit-code'.", FailedUnit},
		{"[  OK  ] Started OpenSSH server daemon.", ""},
		{"debug: this BUG: is just a word", ""},
	} {
		m := Scan(tc.line, nil)
		got := ""
		if len(m) > 0 {
			got = m[0].Check
		}
		if got != tc.check {
			t.Errorf("%q matched %q, want %q", tc.line, got, tc.check)
		}
	}
}

func TestDisabledAndFirstOnly(t *testing.T) {
	text := "boot\nKernel panic - not syncing: x\nKernel panic - not syncing: y\nYou are in emergency mode\n"
	m := Scan(text, nil)
	if len(m) != 2 || m[0].LineNo != 2 || !strings.HasSuffix(m[0].Line, "x") || m[1].Check != EmergencyShell {
		t.Errorf("matches %+v", m)
	}
	m = Scan(text, map[string]bool{KernelPanic: true})
	if len(m) != 1 || m[0].Check != EmergencyShell {
		t.Errorf("with kernel-panic disabled: %+v", m)
	}
}

// The watcher sees lines split across writes and reports as they complete.
func TestWatcherStream(t *testing.T) {
	var got []Match
	w := &Watcher{OnMatch: func(m Match) { got = append(got, m) }}
	for _, chunk := range []string{"[ 1.0] ok\r\n[ 2.0] Kernel pa", "nic - not syn", "cing: boom\n", "tail Oops: 0000 [#1]"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].Line != "[ 2.0] Kernel panic - not syncing: boom" || got[0].LineNo != 2 {
		t.Fatalf("after panic line: %+v", got)
	}
	w.Flush()
	if len(got) != 2 || got[1].Check != KernelOops {
		t.Errorf("after flush: %+v", got)
	}
}

// A match says whether the machine is finished, and what it means where
// the firmware's words do not say it.
func TestFatalAndExplain(t *testing.T) {
	for _, tc := range []struct {
		line    string
		fatal   bool
		explain string
	}{
		{"BdsDxe: failed to load Boot0001 \"UEFI Misc Device\" from PciRoot(0x0): Access Denied", true, "Secure Boot on"},
		{"No bootable device.", true, "a boot loader for this firmware"},
		{"Kernel panic - not syncing: Attempted to kill init!", true, "kernel-panic on console: Kernel panic"},
		{"Segmentation fault (core dumped)", false, "core-dump on console: Segmentation fault (core dumped)"},
		{"[   12.3] Oops: 0002 [#1] PREEMPT SMP NOPTI", true, "kernel-oops on console"},
		{"You are in emergency mode. After logging in, type \"journalctl -xb\"", true, "waits for a person"},
	} {
		m := Scan(tc.line, nil)
		if len(m) != 1 {
			t.Fatalf("%q: %d matches", tc.line, len(m))
		}
		if m[0].Fatal() != tc.fatal || !strings.Contains(m[0].Explain(), tc.explain) {
			t.Errorf("%q: fatal %v, explained %q; want %v and %q", tc.line, m[0].Fatal(), m[0].Explain(), tc.fatal, tc.explain)
		}
	}
}
