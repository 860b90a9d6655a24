// Command ore manages operating-system images and machines on each
// platform strata tests on:
//
//	ore qemu build-image minimal     # build (or find cached) a local image
//	ore qemu list-images --json      # the images in the local cache
//	ore aws gc --dry-run             # what strata's runs left on EC2
//	ore aws simulate                 # an EC2 simulator to try things on Exit status:
//
// 0 done, 1 the operation failed, 2 bad usage.
package main

import "os"

func main() {
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(a.main(os.Args[1:]))
}
