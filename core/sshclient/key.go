// Package sshclient is strata's SSH layer on golang.org/x/crypto/ssh: a
// per-flight ed25519 key pair, dialing with retry until a deadline while a
// machine boots, running commands with their exit status, streaming output,
// copying files, and an interactive shell with a PTY for kola spawn.
package sshclient

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// KeyPair is an ed25519 key pair made for one flight. The private key never
// leaves the process except through WritePrivateKey, which kola spawn uses
// so that a person can ssh in.
type KeyPair struct {
	Signer ssh.Signer
	// AuthorizedKey is the public key as one authorized_keys line.
	AuthorizedKey string
	private       ed25519.PrivateKey
	comment       string
}

// GenerateKey makes a new key pair; comment ends the authorized_keys line.
func GenerateKey(comment string) (*KeyPair, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ed25519 key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("ssh signer: %w", err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	if comment != "" {
		line += " " + comment
	}
	return &KeyPair{Signer: signer, AuthorizedKey: line, private: priv, comment: comment}, nil
}

// String keeps the private key out of logs and %v.
func (k *KeyPair) String() string { return "KeyPair(" + k.AuthorizedKey + ")" }

// WritePrivateKey writes the private key in OpenSSH format, mode 0600.
func (k *KeyPair) WritePrivateKey(path string) error {
	block, err := ssh.MarshalPrivateKey(k.private, k.comment)
	if err != nil {
		return fmt.Errorf("marshal private key: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return fmt.Errorf("write private key: %w", err)
	}
	return nil
}

// ReadPrivateKey reads a key WritePrivateKey wrote (kola ssh reaches kept
// machines with it). The file must be private to its owner, as ssh(1)
// insists too.
func ReadPrivateKey(path string) (*KeyPair, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("private key %s: mode %v lets others read it; want 0600", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	raw, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	priv, ok := raw.(*ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key %s: %T, want the ed25519 key strata writes", path, raw)
	}
	signer, err := ssh.NewSignerFromKey(*priv)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	return &KeyPair{Signer: signer, AuthorizedKey: line, private: *priv}, nil
}
