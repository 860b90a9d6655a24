package api

import (
	"context"
	"fmt"

	"github.com/digitalocean/godo"
)

// Key is an SSH key of the account.
type Key struct {
	ID          int
	Name        string
	Fingerprint string
}

// CreateKey adds an SSH public key to the account.
func (c *Client) CreateKey(ctx context.Context, name, publicKey string) (Key, error) {
	k, _, err := c.godo.Keys.Create(ctx, &godo.KeyCreateRequest{Name: name, PublicKey: publicKey})
	if err != nil {
		return Key{}, wrap("create SSH key "+name, err)
	}
	return Key{ID: k.ID, Name: k.Name, Fingerprint: k.Fingerprint}, nil
}

// Keys lists the account's SSH keys.
func (c *Client) Keys(ctx context.Context) ([]Key, error) {
	ks, err := all(ctx, "list SSH keys", func(o *godo.ListOptions) ([]godo.Key, *godo.Response, error) {
		return c.godo.Keys.List(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	var out []Key
	for _, k := range ks {
		out = append(out, Key{ID: k.ID, Name: k.Name, Fingerprint: k.Fingerprint})
	}
	return out, nil
}

// DeleteKey deletes an SSH key; one that is not there is no error.
func (c *Client) DeleteKey(ctx context.Context, id int) error {
	_, err := c.godo.Keys.DeleteByID(ctx, id)
	if err = wrap(fmt.Sprintf("delete SSH key %d", id), err); IsNotFound(err) {
		return nil
	}
	return err
}
