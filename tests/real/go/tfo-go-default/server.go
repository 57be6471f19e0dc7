// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// What every tfo-go-* test server shares (this file is symlinked into each
// module): the flag, the HTTP answer, the ready line, and the TCP_FASTOPEN
// setsockopt Xray-core makes in its ListenConfig.Control. Each module's
// main.go builds the ListenConfig: that is where the variants differ.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

const (
	tcpFastopen    = 23  // TCP_FASTOPEN: not in package syscall
	tcpUserTimeout = 18  // TCP_USER_TIMEOUT: refused by MPTCP on every kernel so far
	fastopenQlen   = 256 // Xray-core's default queue length
)

// -user-timeout: TCP_USER_TIMEOUT too, after TCP_FASTOPEN (a relay's
// option, as tailscale's sets it): an option MPTCP refuses even where it
// takes TCP_FASTOPEN (6.2 on).
var userTimeout = flag.Int("user-timeout", 0, "also set TCP_USER_TIMEOUT to this many ms in Control")

// One call of the ListenConfig's Control: the protocol of the socket it
// was given (6 TCP, 262 MPTCP), the errno of TCP_FASTOPEN on it and of
// TCP_USER_TIMEOUT (-1: not set).
type controlCall struct {
	Proto   int `json:"proto"`
	Errno   int `json:"errno"`
	UTErrno int `json:"ut_errno"`
}

var controls []controlCall

func errnoOf(err error) int {
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e)
	}
	if err != nil {
		return -1
	}
	return 0
}

// setFastOpen does what Xray-core's applyInboundSocketOptions does for
// tcpFastOpen on a listener, before bind and listen (and, with
// -user-timeout, for its TCP_USER_TIMEOUT): each option in turn, the
// first error returned.
func setFastOpen(fd uintptr) error {
	proto, _ := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
	err := syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpFastopen, fastopenQlen)
	call := controlCall{proto, errnoOf(err), -1}
	var uterr error
	if *userTimeout > 0 {
		uterr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeout, *userTimeout)
		call.UTErrno = errnoOf(uterr)
	}
	controls = append(controls, call)
	if err != nil {
		return fmt.Errorf("failed to set TCP_FASTOPEN=%d > %w", fastopenQlen, err)
	}
	if uterr != nil {
		return fmt.Errorf("failed to set TCP_USER_TIMEOUT=%d > %w", *userTimeout, uterr)
	}
	return nil
}

// Logged as Xray-core logs it (at Info level, and nothing else happens).
func logControlError(err error) {
	log.Printf("[Info] transport/internet: failed to apply socket options to incoming connection > %v", err)
}

type ready struct {
	Op       string        `json:"op"`
	Pid      int           `json:"pid"`
	Port     int           `json:"port"`
	Proto    int           `json:"proto"`     // SO_PROTOCOL of the listening socket
	TFOErrno int           `json:"tfo_errno"` // of the Control call on that socket
	Controls []controlCall `json:"controls"`  // every Control call, in order
	Mptcp    bool          `json:"mptcp"`     // ListenConfig.MultipathTCP() before Listen
	Go       string        `json:"go"`
	Godebug  string        `json:"godebug"`
}

func main() {
	addr := flag.String("listen", "127.0.0.1:18080", "address:port to listen on")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	lc := listenConfig()
	wanted := lc.MultipathTCP()
	l, err := lc.Listen(context.Background(), "tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v", *addr, err)
	}
	r := ready{Op: "ready", Pid: os.Getpid(), Port: l.Addr().(*net.TCPAddr).Port,
		Proto: -1, TFOErrno: -1, Controls: controls, Mptcp: wanted,
		Go: runtime.Version(), Godebug: os.Getenv("GODEBUG")}
	if rc, err := l.(*net.TCPListener).SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			r.Proto, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
		})
	}
	if n := len(controls); n > 0 {
		r.TFOErrno = controls[n-1].Errno
	}
	line, _ := json.Marshal(r)
	fmt.Println(string(line))

	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		go answer(c)
	}
}

// answer reads one request's head and answers "ok": HTTP enough for
// tfo_client and curl, without net/http (half the cold build time and
// binary size; what these servers are for happens before Accept).
func answer(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\r\n" || line == "\n" {
			break
		}
	}
	c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
}
