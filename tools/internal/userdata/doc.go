// Package userdata tests core/conf against documents that ship outside
// Go modules: cloud-init's documented cloud-config examples, from
// Debian's cloud-init package (pinned like the image locks and fetched
// with images/debs, so core stays free of both).
package userdata
