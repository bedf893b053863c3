"""The core tables (organisations, people, devices, readings and their counters) and the reading
write path."""
