module tfotrace.test/tfo-go-old

// Older than go 1.24: Go 1.24 builds it with multipathtcp=0 in its
// DefaultGODEBUG, so its listener is TCP unless GODEBUG says otherwise.
go 1.22
