"""nn.functional: stateless functions (activations, losses, convolutions) on Tensors."""

__all__: list[str] = []
