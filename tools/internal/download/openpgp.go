package download

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// ReadKeyring reads OpenPGP public keys, ASCII-armored or binary.
func ReadKeyring(data []byte) (openpgp.EntityList, error) {
	if block, err := armor.Decode(bytes.NewReader(data)); err == nil {
		if block.Type != openpgp.PublicKeyType {
			return nil, fmt.Errorf("armored %q, want a public key block", block.Type)
		}
		return openpgp.ReadKeyRing(block.Body)
	}
	return openpgp.ReadKeyRing(bytes.NewReader(data))
}

// checkSignature checks a detached signature (armored or binary) of
// signed made by a key of keyring and names the signer.
func checkSignature(keyring []byte, signed io.ReadSeeker, sig []byte) (string, error) {
	keys, err := ReadKeyring(keyring)
	if err != nil {
		return "", fmt.Errorf("key: %w", err)
	}
	var signer *openpgp.Entity
	if strings.HasPrefix(strings.TrimSpace(string(sig)), "-----BEGIN PGP SIGNATURE-----") {
		signer, err = openpgp.CheckArmoredDetachedSignature(keys, signed, bytes.NewReader(sig), nil)
	} else {
		signer, err = openpgp.CheckDetachedSignature(keys, signed, bytes.NewReader(sig), nil)
	}
	if err != nil {
		if errors.Is(err, pgperrors.ErrUnknownIssuer) {
			return "", fmt.Errorf("signed with a key not in the keyring: %w", err)
		}
		return "", fmt.Errorf("bad signature: %w", err)
	}
	for name := range signer.Identities {
		return name, nil
	}
	return fmt.Sprintf("key %X", signer.PrimaryKey.KeyId), nil
}
