package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"sharemall/internal/store"
)

// demoCentreLogin is the demo distributor the centre's lines point at.
const demoCentreLogin = "dist002@demo.example.com"

// printCentre tells where the distributor centre and an invite link are,
// and from where a phone reaches them: links and posters are written for
// the address a page was opened at, so the centre must be opened at one a
// phone can reach too.
func printCentre(ctx context.Context, db *store.DB, addr, base string, stdout io.Writer) error {
	c, err := db.CredentialsFor(ctx, demoCentreLogin, "")
	if err != nil {
		return err
	}
	a, err := db.ActorFor(ctx, c.AccountID)
	if err != nil {
		return err
	}
	d, err := db.DistributorByAccount(ctx, a, a.AccountID)
	if err != nil {
		return err
	}
	link, err := db.ShareLink(ctx, a, 0, store.ChannelLink)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "A distributor's share link, as a friend receives it: %s/s/%s\n", base, link.Code)
	fmt.Fprintf(stdout, "Distributor centre: %s/centre (sign in as %s); its invite link: %s/join/%s\n", base, demoCentreLogin, base, d.ReferralCode)
	if lan := lanURLs(addr); len(lan) > 0 {
		fmt.Fprintf(stdout, "From a phone on this network open %s: share links and posters are then written for it.\n", lan[0])
		for _, u := range lan[1:] {
			fmt.Fprintf(stdout, "  or %s\n", u)
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// lanURLs are the URLs other machines reach a server listening on every
// interface at (":8080", "0.0.0.0:8080"): one per non-loopback IPv4
// address of this machine. None for an address bound to one interface.
func lanURLs(addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return nil
	}
	ifaces, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range ifaces {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			out = append(out, "http://"+net.JoinHostPort(n.IP.String(), port))
		}
	}
	return out
}
