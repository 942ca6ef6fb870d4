"""The demo and the simulated offices: they drive the product from outside, as offices
and coordinators do (dropping files, reading mail). No product code imports them."""
