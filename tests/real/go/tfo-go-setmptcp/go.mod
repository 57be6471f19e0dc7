module tfotrace.test/tfo-go-setmptcp

go 1.24
