"""The analysis passes: index, resolver, guards, decorators, actions, roots and import contexts."""
