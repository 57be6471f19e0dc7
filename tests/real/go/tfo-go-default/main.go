// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// tfo-go-default (go.mod: go 1.24) and tfo-go-old (go 1.22, this file
// symlinked): an HTTP server that sets TCP_FASTOPEN in its
// ListenConfig.Control and swallows the error, as Xray-core does. Go 1.24
// makes the listener MPTCP for a go 1.24 module; on a kernel before 6.2
// MPTCP refuses TCP_FASTOPEN (ENOPROTOOPT) and TFO is silently off.
package main

import (
	"net"
	"syscall"
)

func listenConfig() net.ListenConfig {
	return net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			if err := setFastOpen(fd); err != nil {
				logControlError(err)
			}
		})
	}}
}
