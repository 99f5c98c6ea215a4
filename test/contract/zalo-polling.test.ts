import { contract } from "./journeys.js";

contract("zalo-polling");
