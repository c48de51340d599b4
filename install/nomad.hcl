# Sample single-node configuration (server and client on one machine).
data_dir  = "/var/lib/nomad"
bind_addr = "0.0.0.0"

server {
  enabled          = true
  bootstrap_expect = 1
}

client {
  enabled = true
}
