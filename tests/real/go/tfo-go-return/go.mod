module tfotrace.test/tfo-go-return

go 1.24
