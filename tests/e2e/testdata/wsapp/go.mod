module example.com/wsapp

go 1.26
