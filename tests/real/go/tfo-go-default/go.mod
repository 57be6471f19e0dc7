module tfotrace.test/tfo-go-default

go 1.24
