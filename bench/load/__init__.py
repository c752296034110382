"""What the load benchmarks (voice_load, console_streams, social_ack) share: their processes and servers,
wrk runs and their CPU accounting, signed voice requests, the description of a run, and stream clients."""
