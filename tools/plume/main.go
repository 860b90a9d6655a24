// Command plume releases an operating system's images on the clouds, in
// two stages that can each be run again after any failure:
//
//	plume pre-release --version V --channel C --image-dir DIR   # upload, create images, private
//	plume release --version V --channel C                       # make them public, publish the indexes
//	plume prune --channel C --keep N [--dry-run]                # delete older releases' images
//	plume index --aws-release-bucket B                           # index.html objects for a browsable bucket
//
// Exit status: 0 done, 1 the operation failed, 2 bad usage, 130 interrupted.
package main

import "os"

func main() {
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(a.main(os.Args[1:]))
}
