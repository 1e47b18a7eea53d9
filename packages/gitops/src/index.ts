// Graph inference entry point; filled by the graph room.
export {};
