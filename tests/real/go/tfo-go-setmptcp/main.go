// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// tfo-go-setmptcp: tfo-go-default's server, but it asks for MPTCP itself
// with ListenConfig.SetMultipathTCP(true), which beats GODEBUG: even
// GODEBUG=multipathtcp=0 leaves its listener MPTCP.
package main

import (
	"net"
	"syscall"
)

func listenConfig() net.ListenConfig {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			if err := setFastOpen(fd); err != nil {
				logControlError(err)
			}
		})
	}}
	lc.SetMultipathTCP(true)
	return lc
}
