"""The one background-job mechanism: a queue that any number of workers take jobs from."""
