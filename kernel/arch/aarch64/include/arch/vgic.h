/* The GICv3 virtual CPU interface: list registers and the state a VCPU keeps of it. */
#pragma once

#include <arch/vcpu.h>

void vgic_init_cpu(void);
void vgic_init(struct vgic_state *s);
void vgic_save(struct vgic_state *s);
void vgic_load(const struct vgic_state *s);
/* No list registers in use: the virtual interface (and its maintenance interrupt) off. */
void vgic_disable(void);
/* Interrupts injected for v that wait for a list register. */
bool vgic_has_queued(const struct vcpu *v);
/* Moves v's queued interrupts into free list registers; v is loaded. */
void vgic_refill(struct vcpu *v);
bool vgic_any_register_pending(void);
