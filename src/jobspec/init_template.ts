/** The example job `nomad job init` writes. */

const SHORT = `job "example" {

  group "cache" {
    network {
      port "db" {
        to = 6379
      }
    }

    task "redis" {
      driver = "docker"

      config {
        image          = "redis:7"
        ports          = ["db"]
        auth_soft_fail = true
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
`;

const LONG = `# This file declares one job, "example". A job file holds exactly one job.
# The job is the unit you submit: it names what should run (tasks), how many
# copies (groups with a count), where it may run and how it is updated.
#
# Run it with:      nomad job run example.nomad.hcl
# Preview changes:  nomad job plan example.nomad.hcl
# See JSON form:    nomad job run -output example.nomad.hcl
job "example" {
  # "region" selects the region to run in; it defaults to "global".
  # region = "global"

  # "datacenters" lists where the job may be placed; "*" (the default) means all.
  # datacenters = ["dc1"]

  # "node_pool" restricts placement to the clients of one node pool.
  # node_pool = "default"

  # "type" picks the scheduler: "service" (long-running, the default), "batch"
  # (runs to completion), "system" (one per client) or "sysbatch".
  type = "service"

  # "constraint" limits placement to clients whose attributes match.
  # constraint {
  #   attribute = "\${attr.kernel.name}"
  #   value     = "linux"
  # }

  # "update" controls rolling deployments when the job changes.
  update {
    # How many allocations are replaced at a time.
    max_parallel = 1

    # How long an allocation must be healthy before it counts as healthy.
    min_healthy_time = "10s"

    # How long an allocation has to become healthy before it is unhealthy.
    healthy_deadline = "3m"

    # How long the whole deployment may take to make progress.
    progress_deadline = "10m"

    # Roll back to the last stable version when a deployment fails.
    auto_revert = false

    # Start this many canaries first and wait for promotion.
    canary = 0
  }

  # "migrate" controls how allocations move off a draining client.
  migrate {
    max_parallel     = 1
    health_check     = "checks"
    min_healthy_time = "10s"
    healthy_deadline = "5m"
  }

  # A "group" is a set of tasks placed together on one client. "count" is how
  # many copies of the group to run.
  group "cache" {
    count = 1

    # "network" asks for ports. A port without "static" gets a random free
    # port on the client; "to" is the port inside the container.
    network {
      port "db" {
        to = 6379
      }
    }

    # "service" registers the group in Nomad's service catalog (or Consul).
    service {
      name     = "redis-cache"
      tags     = ["global", "cache"]
      port     = "db"
      provider = "nomad"

      # check {
      #   name     = "alive"
      #   type     = "tcp"
      #   interval = "10s"
      #   timeout  = "2s"
      # }
    }

    # "restart" controls how a failed task is restarted on the same client.
    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }

    # "ephemeral_disk" is scratch space shared by the group's tasks, in MB.
    ephemeral_disk {
      size = 300
    }

    # A "task" is one process, container or VM run by a driver.
    task "redis" {
      driver = "docker"

      # "config" is passed to the driver as is.
      config {
        image          = "redis:7"
        ports          = ["db"]
        auth_soft_fail = true
      }

      # "resources" is what the task needs: CPU in MHz, memory in MB.
      resources {
        cpu    = 500
        memory = 256
      }

      # "template" renders a file into the task directory before it starts.
      # template {
      #   data        = "bind_port: {{ env \\"NOMAD_PORT_db\\" }}"
      #   destination = "local/redis.yml"
      #   change_mode = "restart"
      # }

      # "kill_timeout" is how long to wait after the stop signal before killing.
      # kill_timeout = "20s"
    }
  }
}
`;

/**
 * The job file `nomad job init` writes: a service job "example" with group
 * "cache" running redis in docker; `short` leaves out the comments.
 *
 * @example
 * ```ts
 * import { jobInitTemplate } from "./init_template.ts";
 * jobInitTemplate(true).startsWith('job "example"'); // true
 * ```
 */
export function jobInitTemplate(short: boolean): string {
  return short ? SHORT : LONG;
}
