// GGUFKernels
