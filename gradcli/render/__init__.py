"""Text renderers: turn engine values into the strings PyTorch would print."""
