package server

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The loop's socket system calls, made raw: on non-blocking sockets they
// return at once, so telling the Go scheduler about each of them (as
// unix.Read and friends do) only buys a hand-off check per call and keeps
// the runtime's monitor thread awake retaking processors. Calls that may
// block (epoll_wait with a timeout, file reads) stay ordinary.

func sysRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func sysWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sysWriteMore writes p as a head that more data of the same answer
// follows at once (a file, with sendfile): MSG_MORE holds a part segment
// back until that data joins it, as TCP_CORK would, for one call instead
// of three.
func sysWriteMore(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_MORE, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sysWritev2 writes a then b with one call.
func sysWritev2(fd int, a, b []byte) (int, error) {
	var iov [2]unix.Iovec
	n := 0
	for _, p := range [2][]byte{a, b} {
		if len(p) > 0 {
			iov[n].Base = &p[0]
			iov[n].SetLen(len(p))
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	r, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(n))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// sysAccept accepts a connection without allocating: the peer address
// comes back as bytes, an IPv4 one (on an IPv4 or a dual-stack socket)
// IPv4-mapped (zero for other families).
func sysAccept(fd int) (int, ipAddr, error) {
	var sa unix.RawSockaddrInet6 // large enough for an IPv4 one too
	l := uint32(unsafe.Sizeof(sa))
	nfd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, ipAddr{}, e
	}
	switch sa.Family {
	case unix.AF_INET:
		return int(nfd), ipv4((*unix.RawSockaddrInet4)(unsafe.Pointer(&sa)).Addr), nil
	case unix.AF_INET6:
		return int(nfd), sa.Addr, nil
	}
	return int(nfd), ipAddr{}, nil
}

func sysClose(fd int) {
	unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
}

// sysPoll collects ready events without blocking.
func sysPoll(epfd int, events []unix.EpollEvent) int {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_WAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0
	}
	return int(n)
}

// sendfileChunk bounds one raw sendfile call: from the page cache it
// returns in microseconds; a file that must come from disk is read a
// chunk at a time.
const sendfileChunk = 2 << 20

func sysSendfile(out, in int, off *int64, count int) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_SENDFILE, uintptr(out), uintptr(in), uintptr(unsafe.Pointer(off)), uintptr(min(count, sendfileChunk)), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
