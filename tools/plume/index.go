package main

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"path"
	"sort"
	"strings"
)

type indexCmd struct{}

// indexName is the object a directory's listing is.
const indexName = "index.html"

// Run writes an index.html into every directory of each cloud's release
// bucket (and its root), listing the directory's subdirectories and
// objects, so that the bucket served over HTTP browses like a file tree.
func (indexCmd) Run(a *app, c *cli) error {
	ctx, stop := a.context()
	defer stop()
	pubs, err := c.publishers(a, ctx)
	if err != nil {
		return err
	}
	for _, pub := range pubs {
		if pub.Store() == nil {
			continue
		}
		n, err := writeIndexes(ctx, pub.Store())
		if err != nil {
			return interrupted(ctx, fmt.Errorf("index %s: %w", pub.Store().URL(), err))
		}
		fmt.Fprintf(a.stdout, "plume: wrote %d index.html objects in %s\n", n, pub.Store().URL())
	}
	return nil
}

// listing is one directory's entries: subdirectories (ending in /), then
// objects.
type listing struct {
	Dir     string
	Entries []string
}

// listings groups keys by directory; every ancestor of a key is a
// directory, the root ("") among them.
func listings(keys []string) map[string]*listing {
	dirs := map[string]*listing{"": {Dir: ""}}
	add := func(dir, entry string) {
		l := dirs[dir]
		if l == nil {
			l = &listing{Dir: dir}
			dirs[dir] = l
		}
		for _, e := range l.Entries {
			if e == entry {
				return
			}
		}
		l.Entries = append(l.Entries, entry)
	}
	for _, key := range keys {
		if path.Base(key) == indexName || strings.HasSuffix(key, "/") {
			continue
		}
		dir, name := path.Split(key)
		add(dir, name)
		for dir != "" {
			parent, sub := path.Split(strings.TrimSuffix(dir, "/"))
			add(parent, sub+"/")
			dir = parent
		}
	}
	for _, l := range dirs {
		sort.Slice(l.Entries, func(i, j int) bool {
			di, dj := strings.HasSuffix(l.Entries[i], "/"), strings.HasSuffix(l.Entries[j], "/")
			if di != dj {
				return di
			}
			return l.Entries[i] < l.Entries[j]
		})
	}
	return dirs
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>/{{.Dir}}</title></head>
<body><h1>/{{.Dir}}</h1>
<ul>{{if .Dir}}
<li><a href="../">../</a></li>{{end}}{{range .Entries}}
<li><a href="{{.}}">{{.}}</a></li>{{end}}
</ul></body></html>
`))

// writeIndexes writes every directory's index.html and says how many.
func writeIndexes(ctx context.Context, st store) (int, error) {
	keys, err := st.List(ctx)
	if err != nil {
		return 0, err
	}
	dirs := listings(keys)
	n := 0
	for _, dir := range sortedKeys(dirs) {
		var buf bytes.Buffer
		if err := indexPage.Execute(&buf, dirs[dir]); err != nil {
			return n, err
		}
		if err := st.Put(ctx, dir+indexName, buf.Bytes(), "text/html; charset=utf-8"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
