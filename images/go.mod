module github.com/strata-os/strata/images

go 1.26.0

require github.com/cavaliergopher/cpio v1.0.1

require (
	golang.org/x/sync v0.23.0
	golang.org/x/sys v0.49.0
)
