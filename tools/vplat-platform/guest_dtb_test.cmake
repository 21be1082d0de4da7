# SPDX-License-Identifier: BSD-3-Clause
# example.platform_guest_dtb: write the cluster VM's guest DTB, decompile it with dtc and check
# the virtio-mmio nodes Linux's binding expects.
execute_process(COMMAND ${TOOL} guest-dtb ${DIR}/ecu.dts --vm cluster -o ${DIR}/cluster.dtb
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vplat-platform guest-dtb failed: ${rc}")
endif()
execute_process(COMMAND ${DTC} -q -I dtb -O dts ${DIR}/cluster.dtb OUTPUT_VARIABLE dts
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dtc could not decompile the guest DTB")
endif()
foreach(want "virtio_mmio@a000200 {" "compatible = \"virtio,mmio\";"
        "reg = <0x00 0xa000200 0x00 0x200>;" "interrupts = <0x00 0x11 0x01>;"
        "interrupt-parent = <0x8002>;" "dma-coherent;" "virtio_mmio@a000a00 {"
        "interrupts = <0x00 0x15 0x01>;" "virtio_mmio@a000c00 {" "interrupts = <0x00 0x16 0x01>;")
  string(FIND "${dts}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "guest DTB lacks '${want}':\n${dts}")
  endif()
endforeach()
string(FIND "${dts}" "rng-pci" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "a virtio-pci device got a node:\n${dts}")
endif()
