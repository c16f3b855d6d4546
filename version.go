package hetao

// Version is hetaoc's version. Generated files name it in their header and
// a site binary prints it with -version, beside the hash of the
// configuration it was compiled from.
const Version = "0.1.0"
