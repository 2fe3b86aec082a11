"""Usage metering: meters, meter events, their hourly rollups and usage for a period."""
