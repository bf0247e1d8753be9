// Package loopback says whether a host is this machine. fnokit sends load
// and calls (callouts, generators, webhooks, k6 targets) only to loopback
// unless the user allows remote hosts explicitly, and every such check
// asks this one function.
package loopback

import (
	"net"
	"strings"
)

// Host is true for "localhost" and loopback IP addresses (127.0.0.0/8,
// ::1). Names other than localhost are not resolved: a name could resolve
// elsewhere by the time it is dialled.
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
