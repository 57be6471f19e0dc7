// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// tfo-go-return: tfo-go-default's server, but its Control returns the
// setsockopt error. Go's listenMPTCP then retries with plain TCP (it does so
// on any error of the MPTCP attempt, the Control's included): on a kernel
// before 6.2 the listener ends up TCP with TFO working, MPTCP silently gone,
// and Control is called twice. From 6.2 on MPTCP takes TCP_FASTOPEN, the
// Control succeeds and the listener stays MPTCP.
package main

import (
	"net"
	"syscall"
)

func listenConfig() net.ListenConfig {
	return net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = setFastOpen(fd) }); err != nil {
			return err
		}
		if serr != nil {
			logControlError(serr)
		}
		return serr
	}}
}
