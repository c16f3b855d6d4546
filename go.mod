module github.com/hetaoc/hetao

go 1.26.0

require (
	github.com/dave/jennifer v1.7.1
	github.com/klauspost/compress v1.20.3
	golang.org/x/crypto v0.59.0
	golang.org/x/mod v0.43.0
	golang.org/x/sys v0.50.0
)

require (
	golang.org/x/net v0.63.0
	golang.org/x/text v0.44.0 // indirect
)
