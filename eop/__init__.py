"""e-Operation Sheets: the shared vocabulary and the command line."""
