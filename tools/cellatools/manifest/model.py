"""What a manifest declares, after parsing: plain data, references already resolved.

Subjects (cells and personas) hold capabilities; regions are shared
memory. Subjects, regions and channels share one namespace, so a rule can
name any of them without saying which kind it is.
"""

from dataclasses import dataclass, field

from .report import Entry

# Declared things compare by identity (eq=False): two cells are the same cell only if
# they are the same object, and they can be members of sets.

PRIVATE, DEVICE, SHARED = "private", "device", "shared"
CALL, NOTIFY = "call", "notify"
NEVER, ALWAYS, LIMITED = "never", "always", "limited"
MAX_BADGE = (1 << 64) - 1      # a call badge is any nonzero 64-bit value
MAX_BIT = 63                   # a notification word has 64 bits


@dataclass(eq=False)
class Region:
    entry: Entry
    name: str
    size: int
    page_size: int
    paddr: int = None          # None: the initializer picks the frames
    screen: object = None      # the Display whose framebuffer this is (made by a persona's display key)
    kind = "region"

    @property
    def end(self):
        return self.paddr + self.size


@dataclass(eq=False)
class Map:
    """One mapping in a subject's address space (a guest-physical one for personas)."""
    entry: Entry
    name: str
    vaddr: int
    size: int
    rights: str                # "r", "rw", "rx"
    backing: str               # PRIVATE (zero-filled), DEVICE (paddr) or SHARED (region)
    cached: bool = True
    paddr: int = None
    region: Region = None
    frame_caps: bool = False   # does the cell also get the frames' capabilities?
    owner: object = None       # the Cell or Persona whose address space this is

    @property
    def end(self):
        return self.vaddr + self.size

    @property
    def page_size(self):
        return self.region.page_size if self.region else 4096


@dataclass(eq=False)
class Irq:
    entry: Entry
    name: str
    number: int
    bit: int = None            # None: allocated (see caps.py)


@dataclass
class Restart:
    policy: str = NEVER        # NEVER, ALWAYS or LIMITED
    limit: int = 0             # LIMITED: at most this many restarts

    def __str__(self):
        return f"at most {self.limit} times" if self.policy == LIMITED else self.policy


@dataclass(eq=False)
class Cell:
    entry: Entry
    name: str
    program: str               # as written: a name looked up as NAME.elf, or a path
    priority: int
    stack: int
    heap: int
    restart: Restart
    maps: list = field(default_factory=list)
    irqs: list = field(default_factory=list)
    kind = "cell"


@dataclass(eq=False)
class Display:
    """A persona's screen: a framebuffer region only the persona writes, which the display cell reads.

    The parser makes the region and both maps (the persona's, read-write at
    PERSONA_FB_BASE, and the display cell's, read-only), so the proof, the
    memory estimate and the initializer treat them as any other shared region.
    """
    entry: Entry
    width: int
    height: int
    cell: object               # the Cell that shows it
    persona: object = None
    region: Region = None
    persona_map: object = None
    cell_map: object = None
    format = "x8r8g8b8"         # 32 bits a pixel, little-endian: blue, green, red, unused

    @property
    def stride(self):
        return self.width * 4


@dataclass(eq=False)
class Persona:
    entry: Entry
    name: str
    guest: str                 # "linux"
    kernel: str
    initramfs: str
    bootargs: str
    memory: int
    vcpus: int
    priority: int
    restart: Restart = field(default_factory=Restart)  # when its guest resets or crashes
    maps: list = field(default_factory=list)
    disk: object = None        # the Region its VMM serves as the guest's block device
    display: Display = None    # its screen, if it has one
    keyboard: object = None    # the Cell its keys come from (the input cell), if any
    kind = "persona"


@dataclass(eq=False)
class Channel:
    """A call channel (sender = client, receiver = server) or a notify channel
    (sender signals, receiver waits)."""
    entry: Entry
    name: str
    kind: str                  # CALL or NOTIFY
    sender: object             # Cell or Persona
    receiver: object
    badge: int = None          # CALL: the badge the server sees; None: allocated
    bit: int = None            # NOTIFY: the receiver's notification bit; None: allocated
    grant: bool = False        # CALL: the call may carry capabilities to the server
    grant_reply: bool = False  # CALL: the reply may carry capabilities to the client
    keyboard: object = None    # the Persona whose keyboard this is (made by its keyboard key)


@dataclass(eq=False)
class Rule:
    entry: Entry
    name: str
    kind: str                  # see proof.RULE_KINDS
    params: dict


def kind_name(thing):
    """What sort of thing this is, for messages ("cell", "region", "channel")."""
    return "channel" if isinstance(thing, Channel) else thing.kind


def title(thing):
    """How messages name a declared thing: "cell auth", "region ledger", "map auth.rtc"."""
    if isinstance(thing, Map):
        return f"map {thing.owner.name}.{thing.name}"
    return f"{thing.kind} {thing.name}"


@dataclass(eq=False)
class System:
    path: str
    name: str
    platform: str
    entry: Entry
    cells: list = field(default_factory=list)
    personas: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    rules: list = field(default_factory=list)

    @property
    def subjects(self):
        return self.cells + self.personas

    def named(self):
        return {x.name: x for x in self.cells + self.personas + self.regions + self.channels}

    def channels_of(self, subject):
        return [c for c in self.channels if subject in (c.sender, c.receiver)]
