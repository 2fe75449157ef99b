import EventStore
print("tacho")
